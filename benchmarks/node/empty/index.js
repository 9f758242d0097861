// A pack whose one policy does nothing: what @pulumi/policy, Node and gRPC cost before any rule runs,
// the Node counterpart of benchmarks/empty_pack.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("empty-node", {
    policies: [
        {
            name: "no-op",
            description: "Does nothing.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {},
        },
    ],
});
