# check=skip=all
# syntax=docker/dockerfile:1
FROM alpine
RUN echo hi
