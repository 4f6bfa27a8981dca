FROM alpine
CMD ["echo", "hi"] && echo trailing
