FROM alpine
CMD [1e999]
