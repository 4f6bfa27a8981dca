FROM alpine:3.19

# add our user and group first to make sure their IDs get assigned consistently
RUN set -eux; \
# alpine already has a gid 999, so we'll use the next id
	addgroup -S -g 1000 redis; \
	adduser -S -G redis -u 999 redis

RUN apk add --no-cache \
# add tzdata for https://github.com/docker-library/redis/issues/138
		tzdata \
		su-exec

ENV REDIS_VERSION 7.2.4

RUN mkdir /data && chown redis:redis /data
VOLUME /data
WORKDIR /data

COPY docker-entrypoint.sh /usr/local/bin/
ENTRYPOINT ["docker-entrypoint.sh"]

EXPOSE 6379
CMD ["redis-server"]
