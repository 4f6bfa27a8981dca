FROM alpine
RUN <<-SCRIPT
	if true; then
	    echo spaces after tab
    	echo tab after spaces
	fi
    SCRIPT
		SCRIPT
