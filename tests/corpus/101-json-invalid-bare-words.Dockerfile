FROM alpine
CMD [bash, -c]
