FROM alpine
ENV A b
