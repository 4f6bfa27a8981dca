# escape=`
FROM alpine
RUN echo ``
RUN echo b
