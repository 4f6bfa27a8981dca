FROM php:8.3-apache
RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends libpng-dev libjpeg-dev libzip-dev; \
	docker-php-ext-configure gd --with-jpeg; \
	docker-php-ext-install -j "$(nproc)" gd mysqli zip; \
	rm -rf /var/lib/apt/lists/*
RUN { \
		echo 'opcache.memory_consumption=128'; \
		echo 'opcache.max_accelerated_files=4000'; \
	} > /usr/local/etc/php/conf.d/opcache-recommended.ini
RUN a2enmod rewrite expires
VOLUME /var/www/html
COPY --chown=www-data:www-data . /var/www/html/
CMD ["apache2-foreground"]
