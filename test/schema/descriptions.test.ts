/**
 * The schema documents itself: every type, field, argument, input field and enum value the API publishes has a
 * description, and none points at a document outside this repository.
 */
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/schema";

interface Element {
  coordinate: string;
  description: string | null | undefined;
}

function publicElements(): Element[] {
  const elements: Element[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    elements.push({ coordinate: type.name, description: type.description });
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        elements.push({ coordinate: `${type.name}.${field.name}`, description: field.description });
        for (const arg of "args" in field ? field.args : []) {
          elements.push({ coordinate: `${type.name}.${field.name}(${arg.name}:)`, description: arg.description });
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) elements.push({ coordinate: `${type.name}.${value.name}`, description: value.description });
    }
  }
  return elements;
}

describe("schema descriptions", () => {
  const elements = publicElements();

  it("describe every public type, field, argument and enum value", () => {
    expect(elements.length).toBeGreaterThan(1000);
    expect(elements.filter((element) => !element.description?.trim()).map((element) => element.coordinate)).toEqual([]);
  });

  it("cite no document outside this repository", () => {
    expect(elements.filter((element) => /\bspec\b|§/i.test(element.description ?? "")).map((element) => element.coordinate)).toEqual([]);
  });
});
