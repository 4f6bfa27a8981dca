FROMalpineASbase
RUN echo ab
EXPOSE 80443
