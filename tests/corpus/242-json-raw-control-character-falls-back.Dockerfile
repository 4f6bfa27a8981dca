FROM alpine
CMD ["a	b"]
ENTRYPOINT ["ok"]
