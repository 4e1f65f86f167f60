from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'agreement.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'agreement.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_site = resolve('site')
    pass
    yield 'Agreement between coders · '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'short_title'))

def block_description(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield 'How often two coders agreed on each field of the codebook, and the disagreements still open.'

def block_main(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_agreement = resolve('agreement')
    l_0_codebook = resolve('codebook')
    pass
    yield '<h1>Agreement between coders</h1>\n<p>In this edition, '
    yield escape(environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'double_coded'))
    yield ' of '
    yield escape(environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'total'))
    yield ' studies ('
    yield escape(environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'share_text'))
    yield ') have a second coding. Each study file keeps both codings: the second under <code>second_coding</code>, with a note under <code>resolved</code> for each disagreement the coders have settled.</p>\n<h2 id="fields">Agreement per field</h2>\n<p>A study counts for a field when both coders coded it (neither value is “'
    yield escape(environment.getattr((undefined(name='codebook') if l_0_codebook is missing else l_0_codebook), 'not_coded'))
    yield '”). <em>Percent agreement</em> is the share of those studies on which both gave the same value (for a list, the same set of values). <em>Cohen’s kappa</em> corrects the agreement for chance: for a field with one value per study, each study is one decision; for a field that takes a list of values, each value of the codebook is a yes/no decision per study, and kappa is computed over all of these study&nbsp;×&nbsp;value decisions. Kappa is shown as – when it is undefined: when no study is double-coded, or when both coders gave the same single answer to every decision, so that chance alone would predict full agreement.</p>\n<div class="table-scroll">\n<table class="agreement">\n  <caption class="visually-hidden">Percent agreement and Cohen\'s kappa per field</caption>\n  <thead><tr><th scope="col">Field</th><th scope="col">Double-coded studies</th><th scope="col">Same value</th><th scope="col">Percent agreement</th><th scope="col">Cohen’s kappa</th><th scope="col">Kappa over</th></tr></thead>\n  <tbody>\n'
    for l_1_row in environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'fields'):
        _loop_vars = {}
        pass
        yield '  <tr'
        if (not environment.getattr(l_1_row, 'studies')):
            pass
            yield ' class="not-coded"'
        yield '>\n    <th scope="row">'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'field'), 'label'))
        yield '</th>\n    <td>'
        yield escape(environment.getattr(l_1_row, 'studies'))
        yield '</td>\n    <td>'
        yield escape(environment.getattr(l_1_row, 'agreeing'))
        yield '</td>\n    <td>'
        yield escape(environment.getattr(l_1_row, 'percent_text'))
        yield '</td>\n    <td>'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'kappa'), 'text'))
        yield '</td>\n    <td>'
        if environment.getattr(l_1_row, 'studies'):
            pass
            yield escape(environment.getattr(l_1_row, 'unit'))
        else:
            pass
            yield '<span class="muted">no double-coded study</span>'
        yield '</td>\n  </tr>\n'
    l_1_row = missing
    yield '  </tbody>\n</table>\n</div>\n<h2 id="unresolved">Disagreements not yet resolved</h2>\n'
    if environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'unresolved'):
        pass
        yield '<div class="table-scroll">\n<table class="disagreements">\n  <caption class="visually-hidden">Fields on which the two coders disagree and no resolution is recorded</caption>\n  <thead><tr><th scope="col">Study</th><th scope="col">Field</th><th scope="col">First coder</th><th scope="col">Second coder</th></tr></thead>\n  <tbody>\n'
        for l_1_item in environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'unresolved'):
            l_1_url = resolve('url')
            _loop_vars = {}
            pass
            yield '  <tr>\n    <th scope="row"><a href="'
            yield escape(context.call((undefined(name='url') if l_1_url is missing else l_1_url), (('studies/' + environment.getattr(environment.getattr(l_1_item, 'study'), 'id')) + '.html'), _loop_vars=_loop_vars))
            yield '">'
            yield escape(environment.getattr(environment.getattr(l_1_item, 'study'), 'short_citation'))
            yield '</a></th>\n    <td>'
            yield escape(environment.getattr(environment.getattr(l_1_item, 'field'), 'label'))
            yield '</td>\n    <td>'
            yield escape(environment.getattr(l_1_item, 'first'))
            if environment.getattr(environment.getattr(l_1_item, 'study'), 'coded_by'):
                pass
                yield ' <span class="muted">('
                yield escape(environment.getattr(environment.getattr(l_1_item, 'study'), 'coded_by'))
                yield ')</span>'
            yield '</td>\n    <td>'
            yield escape(environment.getattr(l_1_item, 'second'))
            yield ' <span class="muted">('
            yield escape(environment.getattr(environment.getattr(environment.getattr(l_1_item, 'study'), 'second_coding'), 'coder'))
            yield ')</span></td>\n  </tr>\n'
        l_1_item = l_1_url = missing
        yield '  </tbody>\n</table>\n</div>\n'
    else:
        pass
        yield '<p>None: every disagreement between the coders has a resolution note.</p>\n'
    if environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'resolved'):
        pass
        yield '<h2 id="resolved">Resolved disagreements</h2>\n<ul class="resolved">\n'
        for l_1_item in environment.getattr((undefined(name='agreement') if l_0_agreement is missing else l_0_agreement), 'resolved'):
            l_1_url = resolve('url')
            _loop_vars = {}
            pass
            yield '  <li><a href="'
            yield escape(context.call((undefined(name='url') if l_1_url is missing else l_1_url), (('studies/' + environment.getattr(environment.getattr(l_1_item, 'study'), 'id')) + '.html'), _loop_vars=_loop_vars))
            yield '">'
            yield escape(environment.getattr(environment.getattr(l_1_item, 'study'), 'short_citation'))
            yield '</a>, '
            yield escape(environment.getattr(environment.getattr(l_1_item, 'field'), 'label'))
            yield ': '
            yield escape(environment.getattr(l_1_item, 'first'))
            yield ' / '
            yield escape(environment.getattr(l_1_item, 'second'))
            yield '. '
            yield escape(environment.getattr(l_1_item, 'resolution'))
            yield '</li>\n'
        l_1_item = l_1_url = missing
        yield '</ul>\n'

blocks = {'title': block_title, 'description': block_description, 'main': block_main}
debug_info = '1=12&2=17&3=29&4=39&6=50&8=56&14=58&15=62&16=66&17=68&18=70&19=72&20=74&21=76&28=85&34=88&36=93&37=97&38=99&39=106&48=115&51=118&52=123'