FROM alpine
RUN echo one
RUN echo two \
    three
CMD ["sh"]
