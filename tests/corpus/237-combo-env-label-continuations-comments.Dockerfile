FROM alpine
ENV A=1 \
    # comment inside ENV
    B="two words" \

    C=3
LABEL a=b \
      c="d e"
