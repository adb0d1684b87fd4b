// A codegen plugin (codegen.yml): each enum of the schema as the list of its values, in the order the schema
// writes them (stages in lifecycle order, access levels ranked), for the console's option lists:
// StageValues = ['DEVELOPMENT', 'STAGING', 'PRODUCTION', 'ARCHIVED', 'RETIRED', 'REJECTED'] as const.
// Codegen sorts the schema it hands to plugins; an enum's astNode keeps the order it was written in.
const { isEnumType } = require('graphql');

module.exports = {
  plugin(schema) {
    const lists = Object.values(schema.getTypeMap())
      .filter((type) => isEnumType(type) && !type.name.startsWith('__'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((type) => {
        const values = type.astNode ? type.astNode.values.map((v) => v.name.value) : type.getValues().map((v) => v.name);
        return `export const ${type.name}Values = [${values.map((v) => `'${v}'`).join(', ')}] as const;`;
      });
    return ['', "// Each enum's values, in the schema's order (codegen-enum-values.cjs).", ...lists, ''].join('\n');
  },
};
