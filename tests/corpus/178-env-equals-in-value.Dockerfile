FROM alpine
ENV A=b=c
ENV OPTS=--flag=value --other=1
ENV X b=c
