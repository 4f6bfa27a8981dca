FROM scratch
COPY app /
ENTRYPOINT ["/app"]
