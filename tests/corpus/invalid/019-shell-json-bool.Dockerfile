FROM alpine
SHELL ["/bin/sh", true]
