FROM alpine
RUN \

CMD ["x"]
