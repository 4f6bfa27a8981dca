FROM alpine
# final comment

RUN echo last \
  # comment in continuation