FROM alpine
RUN set -eux; \
# step one
    echo one; \

    # step two
    echo two
