FROM alpine
RUN 3<<A 4<<-B sh -c 'cat /dev/fd/3 /dev/fd/4'
from three
A
	from four
	B
