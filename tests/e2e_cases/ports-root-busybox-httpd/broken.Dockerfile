FROM busybox:latest
COPY www/ /www/
EXPOSE 80
RUN addgroup -S -g 10001 app && \
    adduser -S -D -u 10001 -G app -h /home/app -s /sbin/nologin app
USER 10001:10001
CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/www"]
