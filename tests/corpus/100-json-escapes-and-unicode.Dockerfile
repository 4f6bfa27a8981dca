FROM alpine
CMD ["echo", "say \"hi\"", "caf\u00e9", "tab\there", "back\\slash", "sl\/ash"]
