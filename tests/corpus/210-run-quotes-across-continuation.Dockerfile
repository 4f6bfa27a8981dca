FROM alpine
RUN echo "first part \
second part" && echo 'single \
  quoted'
