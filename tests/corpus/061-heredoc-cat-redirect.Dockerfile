FROM nginx:alpine
RUN cat > /etc/nginx/conf.d/default.conf <<EOF
server {
    listen 8080;
    root /usr/share/nginx/html;
}
EOF
