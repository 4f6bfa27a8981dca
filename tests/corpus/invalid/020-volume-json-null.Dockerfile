FROM alpine
VOLUME [null]
