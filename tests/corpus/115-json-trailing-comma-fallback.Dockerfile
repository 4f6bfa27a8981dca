FROM alpine
CMD ["a",]
ENTRYPOINT ["a" "b"]
