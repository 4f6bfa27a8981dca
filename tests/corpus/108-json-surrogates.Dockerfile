FROM alpine
CMD ["\ud83d\udc33", "\ud800"]
