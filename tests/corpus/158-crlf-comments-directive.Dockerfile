# syntax=docker/dockerfile:1
# comment

FROM alpine
  # indented
RUN true
