FROM alpine
COPY ["a", 1]
