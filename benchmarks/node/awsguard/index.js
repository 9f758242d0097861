// AWSGuard as its README sets it up (`new AwsGuard({ all: "mandatory" })`), in JavaScript: the engine's
// run-policy-pack loads index.js directly, with no TypeScript to compile at start-up.
const { AwsGuard } = require("@pulumi/awsguard");

new AwsGuard({ all: "mandatory" });
