FROM alpine
LABEL description="line one \
  line two"
