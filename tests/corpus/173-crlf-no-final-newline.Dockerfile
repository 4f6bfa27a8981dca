FROM alpine
RUN echo a \
    b
CMD ["x"]