from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_study.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_url = resolve('url')
    l_0_study = resolve('study')
    l_0_reference = resolve('reference')
    l_0_baseline = resolve('baseline')
    l_0_coded = resolve('coded')
    l_0_table = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['value_links']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'value_links' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    try:
        t_4 = environment.tests['string']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'string' found.")
    pass
    l_0_table = context.call((undefined(name='url') if l_0_url is missing else l_0_url), 'studies/index.html')
    context.vars['table'] = l_0_table
    context.exported_vars.add('table')
    yield '<p class="breadcrumb"><a href="'
    yield escape((undefined(name='table') if l_0_table is missing else l_0_table))
    yield '">Studies</a></p>\n<h1 class="study-title">'
    yield escape(environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'title'))
    yield '</h1>\n<p class="reference">'
    yield escape((undefined(name='reference') if l_0_reference is missing else l_0_reference))
    yield '</p>\n'
    if (not environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'doi')):
        pass
        yield '<p class="muted">No DOI: '
        yield escape(environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'no_doi_reason'))
        yield '</p>'
    if (environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'in_baseline') and (undefined(name='baseline') if l_0_baseline is missing else l_0_baseline)):
        pass
        yield '<p class="badge">Included in the '
        yield escape(environment.getattr((undefined(name='baseline') if l_0_baseline is missing else l_0_baseline), 'label'))
        yield ' review</p>'
    yield '<h2>Coding</h2>\n<div class="table-scroll">\n<table class="coding">\n  <caption class="visually-hidden">How this study is coded, with the evidence for each value</caption>\n  <thead><tr><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Evidence</th></tr></thead>\n  <tbody>\n'
    for l_1_row in (undefined(name='coded') if l_0_coded is missing else l_0_coded):
        _loop_vars = {}
        pass
        yield '  <tr'
        if (not environment.getattr(l_1_row, 'coded')):
            pass
            yield ' class="not-coded"'
        yield '>\n    <th scope="row">'
        yield escape(environment.getattr(environment.getattr(l_1_row, 'field'), 'label'))
        yield '</th>\n    <td>'
        if environment.getattr(l_1_row, 'coded'):
            pass
            if environment.getattr(l_1_row, 'values'):
                pass
                if (environment.getattr(l_1_row, 'derived') or (environment.getattr(environment.getattr(l_1_row, 'field'), 'kind') in ('single', 'multiple', 'country'))):
                    pass
                    yield escape(t_2(l_1_row, (undefined(name='table') if l_0_table is missing else l_0_table)))
                else:
                    pass
                    yield escape(t_1(context.eval_ctx, environment.getattr(l_1_row, 'values'), ', '))
            else:
                pass
                yield 'none'
        else:
            pass
            yield '<span class="muted">not yet coded</span>'
        if (not t_3(environment.getattr(l_1_row, 'second'))):
            pass
            yield '<br><span class="second">Second coder ('
            yield escape(environment.getattr(environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'second_coding'), 'coder'))
            yield '): '
            yield escape((environment.getattr(l_1_row, 'second') if t_4(environment.getattr(l_1_row, 'second')) else t_1(context.eval_ctx, environment.getattr(l_1_row, 'second'), ', ')))
            if environment.getattr(l_1_row, 'resolved'):
                pass
                yield '; resolved: '
                yield escape(environment.getattr(l_1_row, 'resolved'))
            yield '</span>'
        yield '</td>\n    <td>'
        yield escape(environment.getattr(l_1_row, 'evidence'))
        if environment.getattr(l_1_row, 'source'):
            pass
            yield ' <span class="provenance'
            if environment.getattr(l_1_row, 'deduced'):
                pass
                yield ' deduced'
            yield '">('
            yield escape(environment.getattr(l_1_row, 'source'))
            if environment.getattr(l_1_row, 'where'):
                pass
                yield ': '
                yield escape(environment.getattr(l_1_row, 'where'))
            yield ')</span>'
        if environment.getattr(l_1_row, 'other'):
            pass
            yield '<br><span class="disagreement"><strong>Another reading.</strong> '
            yield escape(environment.getattr(l_1_row, 'other'))
            yield '</span>'
        yield '</td>\n  </tr>\n'
    l_1_row = missing
    yield '  </tbody>\n</table>\n</div>\n'
    if environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'notes'):
        pass
        yield '<h2>Notes</h2><p>'
        yield escape(environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'notes'))
        yield '</p>'
    yield '<p class="muted">Source file: <code>'
    yield escape(environment.getattr((undefined(name='study') if l_0_study is missing else l_0_study), 'path'))
    yield '</code></p>\n'

blocks = {}
debug_info = '2=41&3=45&4=47&5=49&6=51&7=56&14=62&15=66&16=70&17=72&18=88&19=100&20=114&26=122&27=128'