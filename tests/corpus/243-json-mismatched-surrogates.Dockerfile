FROM alpine
CMD ["\ud83d\u0041", "\udc33\ud83d"]
