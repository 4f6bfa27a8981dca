FROM alpine
CMD ["python3", \
     "-m", \
     "http.server"]
