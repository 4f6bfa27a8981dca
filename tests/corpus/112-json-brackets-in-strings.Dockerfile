FROM alpine
CMD ["[", "]", "[]"]
