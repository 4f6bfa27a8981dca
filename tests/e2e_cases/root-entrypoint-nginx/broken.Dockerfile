FROM nginx:1.25
COPY index.html /usr/share/nginx/html/index.html
EXPOSE 80
RUN groupadd --system --gid 10001 app && \
    useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
USER 10001:10001
