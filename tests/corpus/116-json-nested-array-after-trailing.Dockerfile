FROM alpine
CMD ["a"] ["b"]
ENTRYPOINT ["x"]]
