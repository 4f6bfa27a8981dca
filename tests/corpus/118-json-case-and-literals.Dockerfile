FROM alpine
CMD true
ENTRYPOINT null
CMD "[not json]"
