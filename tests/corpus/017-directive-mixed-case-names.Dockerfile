# Syntax=docker/dockerfile:1
# eScApE=`
FROM alpine
RUN echo a `
  b
