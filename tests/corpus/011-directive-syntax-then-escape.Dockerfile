# syntax=docker/dockerfile:1.7
# escape=`
FROM alpine
COPY a.txt C:\data\
RUN echo `
    done
