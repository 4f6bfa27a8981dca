FROM alpine
ENV A=b C
