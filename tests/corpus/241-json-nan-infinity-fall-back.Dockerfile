FROM alpine
CMD [NaN]
ENTRYPOINT ["a", Infinity]
RUN [-Infinity]
