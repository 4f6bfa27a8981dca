FROMalpine
RUNecho hi
COPY--from=alpine/a /b
