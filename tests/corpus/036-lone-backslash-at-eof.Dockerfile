FROM alpine
RUN true
\
