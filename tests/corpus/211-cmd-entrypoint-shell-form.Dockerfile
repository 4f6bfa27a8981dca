FROM alpine
CMD echo "hello $NAME"
ENTRYPOINT exec /usr/bin/app --config /etc/app.conf
CMD  
