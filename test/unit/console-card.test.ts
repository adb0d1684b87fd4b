import { SECTIONS, errorInputId, fieldOf, inputId, toDraft, toInput, type SectionSpec } from '../../ui/src/card/card.rules';
import { ModelCardSectionValues } from '../../ui/src/generated/graphql';

const spec = (field: string): SectionSpec => SECTIONS.find((s) => s.field === field)!;

describe('the console card forms (ui/src/card/card.rules.ts)', () => {
  it('has a form for every section of the schema, in its order', () => {
    expect(SECTIONS.map((s) => s.section)).toEqual([...ModelCardSectionValues]);
  });

  it('starts a form from the card: one empty row for an empty list, numbers as text', () => {
    expect(toDraft(spec('useCases'), { useCases: [] })).toEqual({ rows: [{ entry: '' }] });
    expect(
      toDraft(spec('fairnessAssessments'), { fairnessAssessments: [{ groupAtRisk: 'g', metric: 'm', value: 0.5, harms: null }] }),
    ).toEqual({
      rows: [{ groupAtRisk: 'g', metric: 'm', value: '0.5', measuredOn: '', benefits: '', harms: '', mitigationStrategy: '' }],
    });
    expect(toDraft(spec('task'), { task: null })).toEqual({ text: '' });
  });

  it('sends the rows written (blank ones dropped), and knows which draft row each entry came from', () => {
    const built = toInput(spec('fairnessAssessments'), {
      rows: [
        { groupAtRisk: '', metric: '', value: '', measuredOn: '', benefits: '', harms: '', mitigationStrategy: '' },
        { groupAtRisk: ' over 70 ', metric: 'fpr', value: '1.5', measuredOn: '', benefits: '', harms: '', mitigationStrategy: '' },
      ],
    });
    expect(built).toEqual({
      input: {
        fairnessAssessments: [
          { groupAtRisk: 'over 70', metric: 'fpr', value: 1.5, measuredOn: null, benefits: null, harms: null, mitigationStrategy: null },
        ],
      },
      rows: [1],
    });
    // The API's sections.fairnessAssessments[0].value is the second row of the form.
    expect(errorInputId(spec('fairnessAssessments'), 'sections.fairnessAssessments[0].value', [1])).toBe(
      'card-fairnessAssessments-1-value',
    );
    expect(toInput(spec('useCases'), { rows: [{ entry: 'a' }, { entry: ' ' }] })).toEqual({ input: { useCases: ['a'] }, rows: [0] });
    // An empty list or text removes the section.
    expect(toInput(spec('useCases'), { rows: [{ entry: '' }] })).toEqual({ input: { useCases: [] }, rows: [] });
    expect(toInput(spec('license'), { text: '  ' })).toEqual({ input: { license: '' }, rows: [] });
  });

  it('refuses a value that is not a number before asking, naming its input', () => {
    const row = { groupAtRisk: 'g', metric: 'm', value: 'high', measuredOn: '', benefits: '', harms: '', mitigationStrategy: '' };
    expect(toInput(spec('fairnessAssessments'), { rows: [row] })).toEqual({
      errors: { 'card-fairnessAssessments-0-value': 'must be a number' },
    });
  });

  it('maps the field an API error names to the input showing it', () => {
    expect(fieldOf('sections.owners[2].contact')).toEqual({ field: 'owners', row: 2, key: 'contact' });
    expect(fieldOf('expectedRevision')).toBeNull();
    expect(errorInputId(spec('license'), 'sections.license', [])).toBe(inputId(spec('license')));
    expect(errorInputId(spec('useCases'), 'sections.useCases[1]', [0, 3])).toBe('card-useCases-3-entry');
    expect(errorInputId(spec('useCases'), 'sections.useCases', [0])).toBeNull(); // the list as a whole: said above the form
    expect(errorInputId(spec('useCases'), 'sections.users[0]', [0])).toBeNull(); // another section's field
  });
});
