FROM alpine
RUN echo a \
# <<EOF
  b
