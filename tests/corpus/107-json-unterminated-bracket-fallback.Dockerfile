FROM alpine
CMD ["a", "b"
RUN ["unterminated
