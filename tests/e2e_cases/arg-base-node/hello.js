const os = require("os");
console.log(`hello from node ${process.version} as ${os.userInfo().username} uid=${process.getuid()}`);
