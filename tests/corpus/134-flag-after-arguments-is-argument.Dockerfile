FROM alpine
COPY a --from=b /c
RUN echo --network=host
