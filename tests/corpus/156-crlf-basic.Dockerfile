FROM alpine
RUN echo crlf
CMD ["sh"]
